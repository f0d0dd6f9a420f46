require "vacation";
vacation :days 3 :subject "Away" :from "b@example.com" :addresses ["c@example.net"] :handle "h" text:
I am away.
..dot
.
;
