using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ModelGen.Tests.Packaging;

/// <summary>
/// End to end: packs Runtime/ into the ModelGen package, then builds and runs a fresh console project
/// that references only that package (restored into a private packages folder, so the global cache never
/// holds this build's 0.1.0), the way a user would consume it.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private const string PackageVersion = "0.1.0";
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RestoreBuildTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    private readonly string root = Path.Combine(Path.GetTempPath(), "modelgen-pack-" + Guid.NewGuid().ToString("N"));

    public PackageTests() => Directory.CreateDirectory(root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A straggling build node may still hold a file; the folder is under the temp path.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public void Packed_package_builds_and_trains_a_model_in_a_fresh_project()
    {
        var feed = Path.Combine(root, "feed");
        var package = Pack(feed);
        AssertLayout(package);

        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        WriteConsumer(app, feed);

        var packages = Path.Combine(root, "packages");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
        Dotnet(app, RestoreBuildTimeout, environment, "build", "-c", "Release");

        // The package restored is the one just packed, not some other 0.1.0.
        Assert.True(File.Exists(Path.Combine(packages, "modelgen", PackageVersion, "analyzers", "dotnet", "cs", "ModelGen.Generator.dll")));

        var output = Dotnet(app, RunTimeout, environment, "run", "-c", "Release", "--no-build");

        Assert.Contains("ParameterCount=42", output, StringComparison.Ordinal); // (2·8 + 8) + (8·2 + 2)
        Assert.Contains("Layers=dense1,dense2", output, StringComparison.Ordinal);
        var first = ReadFloat(output, "FirstLoss");
        var last = ReadFloat(output, "LastLoss");
        Assert.True(float.IsFinite(first) && float.IsFinite(last), output);
        Assert.True(last < first * 0.5f, $"loss did not decrease: {first} -> {last}\n{output}");
        Assert.Contains("Done", output, StringComparison.Ordinal);
    }

    private string Pack(string feed)
    {
        var repository = RepositoryRoot();
        // Packs the Runtime and Generator assemblies this test project was built against (it references
        // both, so they are built, in its configuration): fast, and the package holds exactly the code the
        // other tests ran. The nuspec goes to the temp folder, so the repository is left untouched.
        var configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        Dotnet(
            repository,
            PackTimeout,
            new Dictionary<string, string>(),
            "pack",
            Path.Combine(repository, "Runtime", "ModelGen.Runtime.csproj"),
            "--no-build",
            "-c",
            string.IsNullOrEmpty(configuration) ? "Debug" : configuration,
            "-o",
            feed,
            "-p:NuspecOutputPath=" + Path.Combine(root, "nuspec") + Path.DirectorySeparatorChar);
        var packages = Directory.GetFiles(feed, "*.nupkg");
        var package = Assert.Single(packages);
        Assert.Equal($"ModelGen.{PackageVersion}.nupkg", Path.GetFileName(package));
        return package;
    }

    private static void AssertLayout(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("lib/net10.0/ModelGen.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/ModelGen.Generator.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));

        using var nuspecStream = zip.GetEntry("ModelGen.nuspec")!.Open();
        var nuspec = XDocument.Load(nuspecStream);
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("ModelGen", metadata.Element(ns + "id")!.Value);
        Assert.Equal(PackageVersion, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
        Assert.Equal(["CsvHelper", "System.Numerics.Tensors"], dependencies.Order(StringComparer.Ordinal));
    }

    private static void WriteConsumer(string app, string feed)
    {
        // Stop MSBuild's upward search for Directory.Build.* and NuGet's for nuget.config: the project
        // sees nothing of the machine it runs on but the SDK, this feed and nuget.org.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="ModelGen" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{PackageVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Globalization;
            using ModelGen;
            using ModelGen.Optimizers;

            // XOR, mapped to two-class one-hot targets: needs the hidden layer, so a falling loss means
            // the generated forward, backward and training step all work.
            float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
            float[] targets = [1, 0, 0, 1, 0, 1, 1, 0];

            var model = new XorNet(seed: 3);
            var optimizer = new Adam(learningRate: 0.05f);
            Console.WriteLine($"ParameterCount={XorNet.ParameterCount}");
            Console.WriteLine($"Layers={string.Join(",", XorNet.Tensors.Select(t => t.Name.Split('.')[0]).Distinct())}");

            var first = model.ComputeLoss(inputs, targets, batchSize: 4);
            for (var step = 0; step < 300; step++)
            {
                model.TrainStep(inputs, targets, batchSize: 4, optimizer);
            }

            var last = model.ComputeLoss(inputs, targets, batchSize: 4);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FirstLoss={first:R}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LastLoss={last:R}"));
            Console.WriteLine(model.Summary());
            Console.WriteLine("Done");

            [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
            [Input(2)]
            [Dense(8, Activation = Activation.Tanh)]
            [Dense(2)]
            public partial class XorNet { }
            """);
    }

    private static float ReadFloat(string output, string key)
    {
        var match = Regex.Match(output, "^" + key + "=(\\S+)\\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no {key}= line in:\n{output}");
        return float.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the dotnet CLI, kills its process tree past the timeout, and returns stdout.</summary>
    private static string Dotnet(string workingDirectory, TimeSpan timeout, Dictionary<string, string> environment, params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet) ? "dotnet" : dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under `dotnet test`, whose MSBuild variables would steer the child build.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBUILD", StringComparison.Ordinal))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"dotnet {string.Join(' ', arguments)} timed out after {timeout}\n{stdout}\n{stderr}");
        }

        process.WaitForExit(); // drains the asynchronous readers
        var output = Read(stdout);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}\n{output}\n{Read(stderr)}");
        return output;
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string RepositoryRoot([CallerFilePath] string callerPath = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(callerPath) })
        {
            for (var directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "ModelGen.sln")) && File.Exists(Path.Combine(directory, "Runtime", "ModelGen.Runtime.csproj")))
                {
                    return directory;
                }
            }
        }

        throw new InvalidOperationException("repository root (ModelGen.sln) not found");
    }
}
