module gorca.test/profiles

go 1.21
