using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class ShapesDatasetTests
{
    private const int Pixels = ShapesDataset.DefaultSize * ShapesDataset.DefaultSize;

    [Fact]
    public void SameSeedGivesSameData()
    {
        var a = ShapesDataset.Generate(200, 0.4f, 7);
        var b = ShapesDataset.Generate(200, 0.4f, 7);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Images, b.Images);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentData()
    {
        var a = ShapesDataset.Generate(200, 0.4f, 7);
        var b = ShapesDataset.Generate(200, 0.4f, 8);
        Assert.NotEqual(a.Labels, b.Labels);
        Assert.NotEqual(a.Images, b.Images);
    }

    [Fact]
    public void ShapesHaveTheDocumentedLayout()
    {
        var data = ShapesDataset.Generate(50, 0.3f, 1);
        Assert.Equal(50, data.Count);
        Assert.Equal(20, data.Size);
        Assert.Equal(Pixels, data.PixelsPerImage);
        Assert.Equal(50 * Pixels, data.Images.Length);
        Assert.All(data.Labels, label => Assert.InRange(label, 0, ShapesDataset.Classes - 1));
        Assert.Equal(new[] { "rectangle", "circle", "lines" }, ShapesDataset.ClassNames);
    }

    [Fact]
    public void LabelsAreRoughlyBalanced()
    {
        var data = ShapesDataset.Generate(3000, ShapesDataset.ReferenceNoise, 0);
        for (int c = 0; c < ShapesDataset.Classes; c++)
        {
            double share = data.Labels.Count(l => l == c) / (double)data.Count;
            Assert.InRange(share, 0.25, 0.42);
        }
    }

    [Fact]
    public void CleanImagesAreExactlyBinary()
    {
        var data = ShapesDataset.Generate(300, 0f, 3);
        Assert.All(data.Images, p => Assert.True(p is 0f or 1f, $"pixel {p}"));
    }

    [Theory]
    [InlineData(0.2f)]
    [InlineData(0.4f)]
    [InlineData(1f)]
    public void NoiseHasTheRequestedStandardDeviation(float noise)
    {
        var clean = ShapesDataset.Generate(500, 0f, 11);
        var noisy = ShapesDataset.Generate(500, noise, 11);
        Assert.Equal(clean.Labels, noisy.Labels);

        double sum = 0, squares = 0;
        for (int i = 0; i < clean.Images.Length; i++)
        {
            double d = noisy.Images[i] - clean.Images[i];
            sum += d;
            squares += d * d;
        }

        int n = clean.Images.Length;
        double mean = sum / n;
        double std = Math.Sqrt(squares / n - mean * mean);
        Assert.InRange(mean, -0.01 * noise, 0.01 * noise);
        Assert.InRange(std, 0.99 * noise, 1.01 * noise);
    }

    [Fact]
    public void EachClassHasItsDocumentedGeometry()
    {
        const int size = ShapesDataset.DefaultSize;
        var data = ShapesDataset.Generate(900, 0f, 5);
        var counts = new List<int>[ShapesDataset.Classes];
        var orientations = new int[2];
        for (int c = 0; c < counts.Length; c++)
        {
            counts[c] = [];
        }

        for (int i = 0; i < data.Count; i++)
        {
            Span<float> image = data.Image(i);
            int on = 0, left = size, right = -1, top = size, bottom = -1;
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    if (image[y * size + x] > 0.5f)
                    {
                        on++;
                        (left, right, top, bottom) = (Math.Min(left, x), Math.Max(right, x), Math.Min(top, y), Math.Max(bottom, y));
                    }
                }
            }

            int width = right - left + 1, height = bottom - top + 1;
            counts[data.Labels[i]].Add(on);
            switch (data.Labels[i])
            {
                case ShapesDataset.Rectangle:
                    // Filled: the pixels are exactly their bounding box, with sides of 8..16, never near-square.
                    Assert.InRange(width, 8, 16);
                    Assert.InRange(height, 8, 16);
                    Assert.True(Math.Abs(width - height) >= 3, $"rectangle {width}×{height}");
                    orientations[width > height ? 0 : 1]++;
                    Assert.Equal(width * height, on);
                    break;
                case ShapesDataset.Circle:
                    // Filled disk: a d × d bounding box (d = 8..16) without its corners, its centre set.
                    Assert.Equal(width, height);
                    Assert.InRange(width, 8, 16);
                    Assert.Equal(0f, image[top * size + left]);
                    Assert.Equal(0f, image[bottom * size + right]);
                    Assert.Equal(1f, image[(top + height / 2) * size + left + width / 2]);
                    Assert.InRange(on, 0.75 * width * height, 0.9 * width * height);
                    break;
                default:
                    // 1..3 one-pixel segments of 9..20 pixels each (overlaps can only reduce it).
                    Assert.InRange(on, 9, 60);
                    Assert.True(Math.Max(width, height) >= 9, $"extent {width}×{height}");
                    break;
            }
        }

        // Rectangles lie and stand about equally often.
        Assert.All(orientations, o => Assert.InRange(o, 100, 200));

        // Sizes vary within each class: no class is recognizable by a constant pixel count.
        Assert.All(counts, c => Assert.True(c.Max() - c.Min() >= 20, $"range {c.Min()}..{c.Max()}"));
    }

    [Fact]
    public void OneHotMatchesLabels()
    {
        var data = ShapesDataset.Generate(40, 0.4f, 2);
        float[] targets = data.OneHot();
        Assert.Equal(40 * ShapesDataset.Classes, targets.Length);
        for (int i = 0; i < data.Count; i++)
        {
            for (int c = 0; c < ShapesDataset.Classes; c++)
            {
                Assert.Equal(c == data.Labels[i] ? 1f : 0f, targets[i * ShapesDataset.Classes + c]);
            }
        }
    }

    [Fact]
    public void SliceAndSplitPartitionTheSet()
    {
        var data = ShapesDataset.Generate(100, 0.4f, 9);
        var tail = data.Slice(60, 40);
        Assert.Equal(data.Labels[60..], tail.Labels);
        Assert.Equal(data.Images.AsSpan(60 * Pixels).ToArray(), tail.Images);

        var (kept, heldOut) = data.Split(0.2, 4);
        Assert.Equal(80, kept.Count);
        Assert.Equal(20, heldOut.Count);

        // Every image lands in exactly one part.
        var all = new HashSet<string>();
        foreach (var part in new[] { kept, heldOut })
        {
            for (int i = 0; i < part.Count; i++)
            {
                Assert.True(all.Add(Key(part, i)));
            }
        }

        for (int i = 0; i < data.Count; i++)
        {
            Assert.Contains(Key(data, i), all);
        }

        static string Key(ShapesDataset d, int i) => d.Labels[i] + ":" + string.Join(',', d.Image(i).ToArray());
    }

    [Fact]
    public void StandardizerGivesZeroMeanUnitDeviationOnTrainingData()
    {
        var train = ShapesDataset.Generate(2000, ShapesDataset.ReferenceNoise, 0);
        var standardizer = Standardizer.Fit(train.Images);
        Assert.True(standardizer.Mean > 0f);
        Assert.True(standardizer.StandardDeviation > 0f);

        standardizer.Transform(train.Images);
        double mean = train.Images.Average(x => (double)x);
        double std = Math.Sqrt(train.Images.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -1e-4, 1e-4);
        Assert.InRange(std, 1 - 1e-4, 1 + 1e-4);

        // Refitting on standardized data is (nearly) the identity.
        var again = Standardizer.Fit(train.Images);
        Assert.InRange(again.Mean, -1e-4f, 1e-4f);
        Assert.InRange(again.StandardDeviation, 1 - 1e-4f, 1 + 1e-4f);
    }

    [Fact]
    public void StandardizerHandlesConstantData()
    {
        float[] data = [3f, 3f, 3f];
        var standardizer = Standardizer.Fit(data);
        standardizer.Transform(data);
        Assert.Equal([0f, 0f, 0f], data);
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapesDataset.Generate(-1, 0f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapesDataset.Generate(1, -0.1f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapesDataset.Generate(1, float.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapesDataset.Generate(1, 0f, 0, size: 12));
        Assert.Equal(13, ShapesDataset.Generate(3, 0f, 0, size: 13).Size);
        Assert.Throws<ArgumentException>(() => Standardizer.Fit([]));
    }
}
