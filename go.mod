module github.com/labelbridge/labelbridge

go 1.26.8
