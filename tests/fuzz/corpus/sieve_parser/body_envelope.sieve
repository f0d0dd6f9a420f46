require ["body", "envelope", "subaddress", "copy", "mailbox", "fileinto"];
if body :content "text" :contains "noon" { fileinto :copy :create "b"; }
if envelope :detail "to" "lists" { fileinto "lists"; }
if mailboxexists "INBOX" { redirect :copy "x@y.z"; }
