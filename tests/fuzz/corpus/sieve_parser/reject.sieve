require ["reject", "ereject"];
/* comment
 */ # another
if anyof (not exists "x", allof (true, false)) { reject "no"; } elsif address :domain :is "to" "example.com" { ereject "bye"; } else { discard; }
