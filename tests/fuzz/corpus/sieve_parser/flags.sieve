require "imap4flags";
addflag "\\Flagged";
if hasflag :contains "Flag" { keep :flags ["\\Seen", "$x"]; }
