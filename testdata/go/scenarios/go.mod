module gorca.test/scenarios

go 1.21
