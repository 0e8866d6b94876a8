module gorca/bench/trace_load

go 1.22
