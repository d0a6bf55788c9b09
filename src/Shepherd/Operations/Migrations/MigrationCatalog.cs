using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Shepherd.Cli;

namespace Shepherd.Operations.Migrations;

/// <summary>The migrations compiled into this build for the current provider, in order, and the SQL of each.</summary>
public sealed class MigrationCatalog
{
    private readonly IMigrator _migrator;
    private readonly IMigrationsAssembly _assembly;
    private readonly string _provider;

    public MigrationCatalog(DbContext db)
    {
        _migrator = db.GetService<IMigrator>();
        _assembly = db.GetService<IMigrationsAssembly>();
        _provider = db.Database.ProviderName!;
        All = [.. db.Database.GetMigrations()];
    }

    public IReadOnlyList<string> All { get; }

    /// <summary>The SQL that takes the database from the migration before <paramref name="id"/> to <paramref name="id"/>.</summary>
    public string SqlOf(string id)
    {
        return Script(Previous(id), id);
    }

    public string ChecksumOf(string id) => MigrationChecksum.Compute(SqlOf(id));

    public bool Contains(string id) => All.Contains(id, StringComparer.Ordinal);

    /// <summary>
    /// SQL from one migration (or "0", the empty database) to another, as a DBA would run it; from a later to an
    /// earlier one it is the SQL that takes migrations back.
    /// </summary>
    public string Script(string from, string to) => _migrator.GenerateScript(from, to, MigrationsSqlGenerationOptions.Default);

    /// <summary>The migration before <paramref name="id"/>, or "0" (the empty database) before the first.</summary>
    public string Previous(string id)
    {
        var index = IndexOf(id);
        return index == 0 ? Migration.InitialDatabase : All[index - 1];
    }

    /// <summary>What taking <paramref name="id"/> back does, operation by operation (for the data-loss check).</summary>
    public IReadOnlyList<MigrationOperation> DownOperationsOf(string id) =>
        [.. _assembly.CreateMigration(_assembly.Migrations[id], _provider).DownOperations];

    /// <summary>Finds a migration by its full id or by its name ("Initial"); an unknown one is an operator mistake.</summary>
    public string Resolve(string idOrName)
    {
        if (idOrName == Migration.InitialDatabase)
        {
            return idOrName;
        }
        var matches = All.Where(m => m == idOrName || m.EndsWith("_" + idOrName, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new CommandException(
                $"Unknown migration '{idOrName}'. Migrations in this build: {string.Join(", ", All)} (or 0 for the empty database).");
    }

    private int IndexOf(string id)
    {
        var index = All.ToList().IndexOf(id);
        return index >= 0 ? index : throw new CommandException($"Migration '{id}' is not in this build.");
    }
}
