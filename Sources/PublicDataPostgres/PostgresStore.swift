// The PostgreSQL store is compiled only with the `PostgreSQL` package trait (`--traits PostgreSQL`).
