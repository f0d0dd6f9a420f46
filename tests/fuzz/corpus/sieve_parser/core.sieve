if header :is "x" "y" { keep; stop; }
if address :all :comparator "i;octet" :matches ["from","to"] ["*@?x*", "\\*"] { discard; }
