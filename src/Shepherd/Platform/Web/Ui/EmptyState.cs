namespace Shepherd.Platform.Web.Ui;

/// <summary>What a list shows when it has nothing: what it would hold, and the next step (with a link when there is one).</summary>
public sealed record EmptyState(string Title, string Hint, string? ActionText = null, string? ActionPath = null);
