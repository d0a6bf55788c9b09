using System.Globalization;

namespace Shepherd.Platform.Web.Ui;

/// <summary>Where a list is: <see cref="Number"/> of <see cref="Pages"/>, <see cref="Size"/> rows a page, <see cref="Total"/> in all.</summary>
public sealed record Pager(int Number, int Size, int Total)
{
    public const int DefaultSize = 50;

    public const int MaxNumber = 1_000_000;

    public int Pages => Math.Max((Total + Size - 1) / Size, 1);

    public int Skip => (Number - 1) * Size;

    public int First => Total == 0 ? 0 : Skip + 1;

    public int Last => Math.Min(Skip + Size, Total);

    public bool HasPrevious => Number > 1;

    public bool HasNext => Number < Pages;

    /// <summary>"51–100 of 1,234 people" (or "No people").</summary>
    public string Summary(string singular, string plural) => Total switch
    {
        0 => "No " + plural,
        1 => "1 " + singular,
        _ when Total <= Size && Number == 1 => Total.ToString("N0", CultureInfo.InvariantCulture) + " " + plural,
        _ => string.Create(CultureInfo.InvariantCulture, $"{First:N0}–{Last:N0} of {Total:N0} {plural}"),
    };

    /// <summary>The page <paramref name="number"/> asked for (<see cref="Clamp"/>), or the last one when it is past the end.</summary>
    public static Pager For(int? number, int total, int size = DefaultSize) =>
        new(Math.Min(Clamp(number), Math.Max((total + size - 1) / size, 1)), size, total);

    /// <summary>A page number from the query: missing, zero or negative is the first page, a huge one is capped.</summary>
    public static int Clamp(int? number) => Math.Clamp(number ?? 1, 1, MaxNumber);
}
