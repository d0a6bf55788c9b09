using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shepherd.Data;

namespace Shepherd.Migrations.Postgres;

/// <summary>Used by <c>dotnet ef migrations add</c> only; the running program configures the provider from settings.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ShepherdDbContext>
{
    public ShepherdDbContext CreateDbContext(string[] args)
    {
        var target = new DatabaseTarget(DatabaseProvider.Postgres, "Host=localhost;Database=shepherd_design", new DatabaseOptions { Provider = DatabaseProvider.Postgres });
        var options = new DbContextOptionsBuilder<ShepherdDbContext>();
        target.Configure(options);
        return new ShepherdDbContext(options.Options);
    }
}
