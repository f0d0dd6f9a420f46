require "fileinto";
if true {
fileinto "unterminated
