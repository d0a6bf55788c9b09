using System.Globalization;

namespace Shepherd.Operations.Logs;

/// <summary>Reads a look-back window such as <c>15m</c>, <c>1h</c> or <c>2d</c> (also <c>30s</c>).</summary>
public static class SinceText
{
    public static bool TryParse(string text, out TimeSpan window)
    {
        window = default;
        text = text.Trim();
        if (text.Length < 2
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount <= 0 || amount > 100_000)
        {
            return false;
        }
        window = char.ToLowerInvariant(text[^1]) switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => default,
        };
        return window > TimeSpan.Zero;
    }
}
