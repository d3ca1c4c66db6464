using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class AllocationTests
{
    public static TheoryData<string> Names => ["sgd", "momentum", "nesterov", "rmsprop", "adam"];

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.01f),
        "momentum" => new Sgd(0.01f, 0.9f),
        "nesterov" => new Sgd(0.01f, 0.9f, nesterov: true),
        "rmsprop" => new RmsProp(),
        "adam" => new Adam(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void StepsAfterTheFirst_AllocateNothing(string name)
    {
        var optimizer = Create(name);
        optimizer.WeightDecay = 1e-4f;
        optimizer.L1 = 1e-5f;
        optimizer.ClipValue = 0.5f;
        optimizer.ClipNorm = 1f;
        optimizer.Schedule = new ExponentialDecay(0.99f, 10);

        var rng = new Random(42);
        float[] theta = new float[1003];
        float[] g = new float[1003];
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        long bytes = Allocations.AfterWarmUp(() =>
        {
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = theta[i] * 0.3f - 0.1f;
            }

            optimizer.Step(theta, g);
        });

        Assert.Equal(0, bytes);
        Assert.True(optimizer.Iterations > 10);
    }
}
