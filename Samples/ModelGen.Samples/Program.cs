using ModelGen.Samples;

// Entry point: `dotnet run -c Release --project Samples/ModelGen.Samples -- <sample> [options]`.
return SampleRunner.Run(args);
