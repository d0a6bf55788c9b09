namespace Shepherd.Cli;

/// <summary>
/// The question before a command destroys or replaces data. On a terminal it asks; without one (a script, CI, a pipe)
/// nobody can answer, so the command needs --yes and otherwise stops before changing anything.
/// </summary>
public static class Confirmation
{
    /// <summary>Throws, naming --yes, when input is not a terminal and --yes was not given.</summary>
    public static void RequireTerminalOrYes(bool yes, string whatWouldHappen)
    {
        if (!yes && Console.IsInputRedirected)
        {
            throw new CommandException($"{whatWouldHappen}, and input is not a terminal to confirm it: add --yes to go ahead. Nothing was changed.");
        }
    }

    /// <summary>True when --yes was given or the person at the terminal answers y/yes.</summary>
    public static bool Ask(bool yes, string question)
    {
        if (yes)
        {
            return true;
        }
        Console.Write($"{question} [y/N] ");
        var answer = Console.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }
}
