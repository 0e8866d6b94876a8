module gorca.test/dumps

go 1.21
