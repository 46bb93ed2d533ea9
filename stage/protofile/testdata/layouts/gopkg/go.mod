module github.com/org/repo

go 1.21
