#if PostgreSQL
import PublicDataModel

/// The PostgreSQL store wakes followers with LISTEN/NOTIFY (see ``PostgresEventStore/logWakeUps()``).
extension PostgresEventStore: EventStoreWakeUps {}
#endif
