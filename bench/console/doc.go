// Package console holds the benchmark of the supervisor's dialog table
// (console_test.go): the app's table query over 100k dialogs in a replica.
package console
