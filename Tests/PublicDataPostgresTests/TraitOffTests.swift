#if !PostgreSQL
import Testing

/// Without the `PostgreSQL` trait the store is not compiled; say so visibly instead of passing silently.
@Test(
    .disabled(
        "PostgreSQL trait is off: run `swift test --traits PostgreSQL` (needs libpq) to test the PostgreSQL store"
    )
)
func postgresStoreNotBuilt() {}
#endif
