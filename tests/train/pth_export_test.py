"""The weights q3_train_cnn exports for Python (ExportWeightsForPython) load with PyTorch's own
torch.load, and the homework's network written in PyTorch's functional ops gives, from them, the
logits the C++ network gave (export_weights_main): names, shapes, layout and BN statistics all
carried over."""

import csv
import os
import subprocess
import unittest

import torch
import torch.nn.functional as F

EXPORTER = "tests/train/export_weights_main"


def keras_example_eval(sd, x, batchnorm):
    """Keras' cifar10_cnn in eval mode (no dropout; BN with running statistics, eps 1e-3)."""

    def block(h, i, padding):
        h = F.conv2d(h, sd[f"conv{i}.weight"], sd[f"conv{i}.bias"], padding=padding)
        if batchnorm:
            h = F.batch_norm(
                h,
                sd[f"bn{i}.running_mean"],
                sd[f"bn{i}.running_var"],
                sd[f"bn{i}.weight"],
                sd[f"bn{i}.bias"],
                training=False,
                eps=1e-3,
            )
        return F.relu(h)

    h = F.max_pool2d(block(block(x, 1, 1), 2, 0), 2)
    h = F.max_pool2d(block(block(h, 3, 1), 4, 0), 2)
    h = F.relu(F.linear(h.flatten(1), sd["fc1.weight"], sd["fc1.bias"]))
    return F.linear(h, sd["fc2.weight"], sd["fc2.bias"])


class PthExportTest(unittest.TestCase):
    def test_python_gives_the_logits_cpp_gave(self):
        out = os.environ["TEST_TMPDIR"]
        subprocess.run([EXPORTER, out], check=True)
        n = 4 * 3 * 32 * 32
        x = (torch.arange(n, dtype=torch.float64) / n).float().view(4, 3, 32, 32)
        for name, batchnorm in (("baseline", False), ("bn", True)):
            with self.subTest(name):
                sd = torch.load(os.path.join(out, f"{name}.pth"))
                self.assertEqual(sd["fc1.weight"].shape, (512, 2304))
                if batchnorm:
                    # The statistics moved away from their start (0 and 1), so using them shows.
                    self.assertGreater(sd["bn1.running_mean"].abs().max().item(), 1e-3)
                with open(os.path.join(out, f"{name}_logits.csv")) as handle:
                    expected = torch.tensor([[float(v) for v in row] for row in csv.reader(handle)])
                with torch.no_grad():
                    logits = keras_example_eval(sd, x, batchnorm)
                self.assertEqual(logits.shape, expected.shape)
                self.assertTrue(
                    torch.allclose(logits, expected, rtol=1e-4, atol=1e-5),
                    f"max difference {(logits - expected).abs().max().item()}",
                )


if __name__ == "__main__":
    unittest.main()
