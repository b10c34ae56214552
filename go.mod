module github.com/daalab/daa

go 1.26
