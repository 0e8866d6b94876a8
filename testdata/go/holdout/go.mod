module gorca.test/holdout

go 1.22
