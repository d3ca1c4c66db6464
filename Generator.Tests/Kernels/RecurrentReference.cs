namespace ModelGen.Tests.Kernels;

/// <summary>
/// Naive double-precision recurrent cells, written per element straight from the equations (independent of the
/// kernels' fused/GEMM formulation), used as the forward reference and as the function whose central finite
/// differences check the kernels' backward passes.
/// </summary>
internal sealed class RecurrentReference
{
    public enum Cell { Rnn, Lstm, Gru }

    public required Cell Kind;
    public Activation Activation = Activation.Tanh;
    public bool Peepholes, Coupled, ResetAfter, Reverse;
    public required int T, B, H;
    public required double[] Pre, W, Bias, Peep, H0, C0;
    public double[]? Mask;

    public int G => Kind switch { Cell.Rnn => H, Cell.Lstm => (Coupled ? 3 : 4) * H, _ => 3 * H };
    public int PeepCount => Kind == Cell.Lstm && Peepholes ? (Coupled ? 2 : 3) * H : 0;

    public int Time(int s) => Reverse ? T - 1 - s : s;

    /// <summary>
    /// Runs processing steps from … T − 1 starting from the given entering state; returns hidden and cell
    /// sequences [T × B × H] (zero at steps not run).
    /// </summary>
    public (double[] Hidden, double[] Cells) Run(int from, double[] hEnter, double[] cEnter)
    {
        var hidden = new double[T * B * H];
        var cells = new double[T * B * H];
        var hp = (double[])hEnter.Clone();
        var cp = (double[])cEnter.Clone();
        var hNew = new double[H];
        var cNew = new double[H];
        for (int s = from; s < T; s++)
        {
            int t = Time(s);
            for (int b = 0; b < B; b++)
            {
                Step(t, b, hp, cp, hNew, cNew);
                for (int j = 0; j < H; j++)
                {
                    hidden[(t * B + b) * H + j] = hNew[j];
                    cells[(t * B + b) * H + j] = cNew[j];
                }
            }
            for (int b = 0; b < B; b++)
                for (int j = 0; j < H; j++)
                {
                    hp[b * H + j] = hidden[(t * B + b) * H + j];
                    cp[b * H + j] = cells[(t * B + b) * H + j];
                }
        }
        return (hidden, cells);
    }

    /// <summary>The (hidden, cell) state entering processing step <paramref name="from"/> of the full forward pass.</summary>
    public (double[] H, double[] C) StateEntering(int from)
    {
        if (from == 0) return ((double[])H0.Clone(), (double[])C0.Clone());
        var (hidden, cells) = Run(0, H0, C0);
        int t = Time(from - 1);
        return (hidden.AsSpan(t * B * H, B * H).ToArray(), cells.AsSpan(t * B * H, B * H).ToArray());
    }

    /// <summary>L = Σ_t Σ R_t ⊙ h_t over the processing steps from … T − 1.</summary>
    public double Loss(double[] r, int from, double[] hEnter, double[] cEnter)
    {
        var (hidden, _) = Run(from, hEnter, cEnter);
        double sum = 0;
        for (int i = 0; i < hidden.Length; i++) sum += r[i] * hidden[i];
        return sum;
    }

    private double M(int b, int k) => Mask is null ? 1.0 : Mask[b * H + k];
    private double P(int t, int b, int q) => Pre[(t * B + b) * G + q];

    /// <summary>Σ_k W[row, k]·v_k.</summary>
    private double Dot(int row, Func<int, double> v)
    {
        double sum = 0;
        for (int k = 0; k < H; k++) sum += W[row * H + k] * v(k);
        return sum;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private void Step(int t, int b, double[] hp, double[] cp, double[] hNew, double[] cNew)
    {
        double Hm(int k) => hp[b * H + k] * M(b, k);
        switch (Kind)
        {
            case Cell.Rnn:
                for (int j = 0; j < H; j++)
                {
                    double a = P(t, b, j) + Bias[j] + Dot(j, Hm);
                    hNew[j] = Activation switch
                    {
                        Activation.Identity => a,
                        Activation.Sigmoid => Sigmoid(a),
                        Activation.Tanh => Math.Tanh(a),
                        Activation.ReLU => Math.Max(a, 0),
                        _ => throw new InvalidOperationException(),
                    };
                    cNew[j] = 0;
                }
                break;

            case Cell.Lstm:
                for (int j = 0; j < H; j++)
                {
                    double A(int q) => P(t, b, q) + Bias[q] + Dot(q, Hm);
                    double c0 = cp[b * H + j];
                    double f, g, c, ao;
                    if (!Coupled)
                    {
                        double ai = A(j), af = A(H + j), ag = A(2 * H + j);
                        ao = A(3 * H + j);
                        if (Peepholes) { ai += Peep[j] * c0; af += Peep[H + j] * c0; }
                        double i = Sigmoid(ai);
                        f = Sigmoid(af);
                        g = Math.Tanh(ag);
                        c = f * c0 + i * g;
                        if (Peepholes) ao += Peep[2 * H + j] * c;
                    }
                    else
                    {
                        double af = A(j), ag = A(H + j);
                        ao = A(2 * H + j);
                        if (Peepholes) af += Peep[j] * c0;
                        f = Sigmoid(af);
                        g = Math.Tanh(ag);
                        c = f * c0 + (1 - f) * g;
                        if (Peepholes) ao += Peep[H + j] * c;
                    }
                    cNew[j] = c;
                    hNew[j] = Sigmoid(ao) * Math.Tanh(c);
                }
                break;

            case Cell.Gru:
                var r = new double[H];
                for (int k = 0; k < H; k++) r[k] = Sigmoid(P(t, b, k) + Bias[k] + Dot(k, Hm));
                for (int j = 0; j < H; j++)
                {
                    double z = Sigmoid(P(t, b, H + j) + Bias[H + j] + Dot(H + j, Hm));
                    double hpj = hp[b * H + j];
                    if (ResetAfter)
                    {
                        double hhn = Bias[2 * H + j] + Dot(2 * H + j, Hm);
                        double n = Math.Tanh(P(t, b, 2 * H + j) + r[j] * hhn);
                        hNew[j] = (1 - z) * n + z * hpj;
                    }
                    else
                    {
                        double candidate = Math.Tanh(P(t, b, 2 * H + j) + Bias[2 * H + j] + Dot(2 * H + j, k => r[k] * Hm(k)));
                        hNew[j] = (1 - z) * hpj + z * candidate;
                    }
                    cNew[j] = 0;
                }
                break;
        }
    }
}
