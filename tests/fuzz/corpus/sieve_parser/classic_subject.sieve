require "fileinto";
if header :contains "subject" "trier" { fileinto "demotri"; }
