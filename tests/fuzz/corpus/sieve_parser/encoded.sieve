require ["encoded-character", "fileinto", "variables"];
set "a" "${hex:41 42}";
if header :contains "subject" "${unicode:e9}" { fileinto "${a}${unicode:20AC}"; }
