using System.Security.Cryptography;
using System.Text;

namespace Shepherd.Features.Attendance;

/// <summary>The code printed on a child's check-in label and asked for at check-out.</summary>
public static class SecurityCodes
{
    /// <summary>No letters or digits that are easily confused when read aloud or from a label (0/O, 1/I, 2/Z, 5/S, 6/G, 8/B).</summary>
    public const string Alphabet = "ACDEFGHJKLMNPQRTUVWXY3479";

    public const int Length = 4;

    /// <summary>Codes given by the caller: 3 to 8 letters or digits (stored upper-case).</summary>
    public const string Pattern = "^[A-Za-z0-9]{3,8}$";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>Case-insensitive and in constant time, so the comparison does not reveal how much of a guess was right.</summary>
    public static bool Matches(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(expected.ToUpperInvariant()), Encoding.UTF8.GetBytes(given.Trim().ToUpperInvariant()));
}
