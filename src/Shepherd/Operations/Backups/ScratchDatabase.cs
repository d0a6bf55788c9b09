using System.Security.Cryptography;
using Npgsql;

namespace Shepherd.Operations.Backups;

/// <summary>A throwaway PostgreSQL database on the configured server for a test restore; disposing drops it, whatever happened.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private ScratchDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
    }

    public string Name { get; }

    public NpgsqlConnectionStringBuilder Connection =>
        new(_serverConnectionString) { Database = Name, Pooling = false };

    public static async Task<ScratchDatabase> CreateAsync(string serverConnectionString, CancellationToken cancellationToken)
    {
        var name = $"shepherd_verify_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        await using var server = new NpgsqlConnection(serverConnectionString);
        await server.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new ScratchDatabase(serverConnectionString, name);
    }

    public async ValueTask DisposeAsync()
    {
        await using var server = new NpgsqlConnection(_serverConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
