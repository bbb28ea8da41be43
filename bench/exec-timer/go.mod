module github.com/bubustack/bubu-sdk-ts/bench/exec-timer

go 1.26.2
