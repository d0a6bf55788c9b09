using Shepherd.Tests.Infrastructure;

// One running app per provider for the whole run; each test makes its own organization.
[assembly: AssemblyFixture(typeof(SqliteApp))]
[assembly: AssemblyFixture(typeof(PostgresApp))]
