using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Shepherd.Operations.Migrations;

/// <summary>
/// The fingerprint of a migration: SHA-256 (hex) of the SQL EF generates for it on the current provider.
/// Line endings are normalized and EF's own version number (written into its history insert) is left out,
/// so a checkout on Windows or an EF patch release does not look like an edited migration.
/// </summary>
public static class MigrationChecksum
{
    public static string Compute(string sql)
    {
        var normalized = sql.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace(ProductInfo.GetVersion(), "<ef-version>", StringComparison.Ordinal)
            .Trim();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>The first 12 hex digits: enough to tell checksums apart in a listing.</summary>
    public static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] : checksum;
}
