// Package test holds armorlake's whole-system tests: the architecture
// rule on imports, and end-to-end runs of the seed topology as separate
// processes checked through real PostgreSQL clients (pgx and psql).
package test
