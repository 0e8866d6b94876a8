module gorca/testdata/traces

go 1.22
