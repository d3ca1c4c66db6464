namespace ModelGen.Samples;

/// <summary>Parses the command line, picks the sample and maps usage errors to exit code 2.</summary>
internal static class SampleRunner
{
    private const int UsageError = 2;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintUsage(Console.Out);
            return 0;
        }

        Sample? sample = SampleRegistry.Find(args[0]);
        if (sample is null)
        {
            return Fail($"unknown sample '{args[0]}'");
        }

        ReadOnlySpan<string> rest = args.AsSpan(1);
        if (rest.Length > 0 && rest[0] is "--help" or "-h")
        {
            PrintUsage(Console.Out);
            return 0;
        }

        if (!SampleOptions.TryParse(rest, sample.Options ?? [], out SampleOptions? options, out string? error))
        {
            return Fail(error);
        }

        return sample.Run(options);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.WriteLine("Run with --help for the list of samples and options.");
        return UsageError;
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("ModelGen samples");
        writer.WriteLine();
        writer.WriteLine("Usage: dotnet run -c Release --project Samples/ModelGen.Samples -- <sample> [options]");
        writer.WriteLine();
        writer.WriteLine("Samples:");
        foreach (Sample sample in SampleRegistry.All)
        {
            writer.WriteLine($"  {sample.Name,-12}  {sample.Description}");
        }

        writer.WriteLine();
        writer.WriteLine("Options:");
        writer.WriteLine(SampleOptions.Usage);
        foreach (Sample sample in SampleRegistry.All)
        {
            if (sample.OptionsUsage is { } usage)
            {
                writer.WriteLine();
                writer.WriteLine($"Options of {sample.Name}:");
                writer.WriteLine(usage);
            }
        }
    }
}
