require ["date", "index", "relational"];
if date :originalzone :index 1 :last "received" "iso8601" "2005*" { stop; }
if currentdate :zone "+0100" :value "ge" "date" "2000-01-01" { keep; }
