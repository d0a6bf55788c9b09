namespace Shepherd.Operations.OperationsPage;

/// <summary>One part of the Operations page: its data, or why it could not be read (the rest of the page still shows).</summary>
public sealed record Section<T>(T? Value, string? Error)
    where T : class;

public static class Section
{
    public static Section<T> Of<T>(T value)
        where T : class => new(value, null);

    public static Section<T> Failed<T>(string error)
        where T : class => new(null, error);
}
