using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;
using Shepherd.Data;

namespace Shepherd.Tests.Migrations;

/// <summary>
/// The migrations this build of Shepherd ships, oldest first. Both providers have the same names; the timestamps in
/// the ids differ by the seconds between generating one and the other.
/// </summary>
public static class ShepherdMigrations
{
    public static IReadOnlyList<string> Ids(DatabaseProvider provider) => Assembly.Load($"Shepherd.Migrations.{provider}").GetTypes()
        .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
        .OfType<string>()
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string LatestId(DatabaseProvider provider) => Ids(provider)[^1];

    /// <summary>The newest migration's name without its timestamp, as `migrate up --to` takes it, e.g. "Accounts".</summary>
    public static string LatestName
    {
        get
        {
            var id = LatestId(DatabaseProvider.Sqlite);
            return id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..];
        }
    }
}
