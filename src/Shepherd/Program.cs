using Shepherd.Cli;

// One executable: `shepherd` with no command is `shepherd serve`. Each command is a class in Cli/.
return await ShepherdCommandLine.InvokeAsync(args);
