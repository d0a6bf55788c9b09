using Shepherd.Tests.Infrastructure;

// One running app per provider for the whole run; each test makes its own organization.
[assembly: AssemblyFixture(typeof(SqliteApp))]
[assembly: AssemblyFixture(typeof(PostgresApp))]
[assembly: AssemblyFixture(typeof(Shepherd.Tests.Pages.PagesSqliteApp))]
[assembly: AssemblyFixture(typeof(Shepherd.Tests.Pages.PagesPostgresApp))]
