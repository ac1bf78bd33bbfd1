"""requests_app's own data sources (the history of its requests). The registry and the
`DataSource` contract are the core's (`ccucaas_privacy.datasources`), so that every app registers
its sources without importing requests_app."""
