require ["variables", "regex", "relational", "comparator-i;ascii-numeric"];
set :upperfirst :lower "x" "HeLLo";
if header :matches "from" "*<*@*>" { set "u" "${2}"; }
if string :regex "${u}" "^(a)(l+)" { redirect "${1}${2}@example.net"; }
if header :count "ge" :comparator "i;ascii-numeric" "x-multi" "2" { discard; }
