"""Time the degradations: each operation's cost and the random pipeline's throughput.

Usage: ``python benchmarks/degradation_speed.py [--repeats 20] [--samples 100] [--seed 0]``.

Per operation: median milliseconds per image at 256x256 and 480x640, on a grey (luma, as in the
training pipeline after ``SourcesToYCbCr``) and an RGB image. Pipeline: ``RandomDegradeSources``
(1-3 operations per sample from each task's default set) on two-source samples of luma images,
reported as samples and images per second (one process, one thread for OpenCV).
Images are MSRS pairs from the shared data when found, else scikit-image samples.
"""

import argparse
import sys
import time

import cv2
import numpy as np

SIZES = ((256, 256), (480, 640))


def base_images():
    """(visible RGB, infrared grey) float32 in [0, 1], 480x640 or larger."""
    from fusionbox.utils.image_io import as_image, read_image
    from fusionbox.utils.paths import shared_data_root

    root = shared_data_root() / 'ivf' / 'MSRS'
    if (root / 'vi').is_dir():
        name = sorted(p.name for p in (root / 'vi').iterdir())[0]
        vi = read_image(root / 'vi' / name, squeeze_grey=False)
        ir = read_image(root / 'ir' / name)[..., 0]
    else:
        from skimage import data

        vi, ir = as_image(data.astronaut(), squeeze_grey=False), as_image(data.camera())[..., 0]
    return vi, ir


def resized(image, size):
    out = cv2.resize(np.ascontiguousarray(image), size[::-1], interpolation=cv2.INTER_AREA)
    return out if out.ndim == 3 else out[..., None]


def time_ops(vi, ir, repeats: int, seed: int) -> None:
    from fusionbox.degradations import BaseDegradation
    from fusionbox.registry import DEGRADATIONS

    names = sorted(
        n
        for n, c in DEGRADATIONS.module_dict.items()
        if isinstance(c, type) and issubclass(c, BaseDegradation)
    )
    images = {size: (resized(vi, size), resized(ir, size)) for size in SIZES}
    head = ''.join(f'{f"{h}x{w} {k}":>16}' for h, w in SIZES for k in ('grey', 'rgb'))
    print(f'\nper operation, median ms per image over {repeats} runs\n{"operation":<18}{head}')
    for name in names:
        op = DEGRADATIONS.build(dict(type=name))
        row = []
        for size in SIZES:
            rgb, grey = images[size]
            for image in (grey, rgb):
                rng = np.random.default_rng(seed)
                op.degrade(image, rng)  # warm-up
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    op.degrade(image, rng)
                    times.append(time.perf_counter() - t0)
                row.append(float(np.median(times)) * 1e3)
        print(f'{name:<18}' + ''.join(f'{ms:16.2f}' for ms in row))


def time_pipeline(vi, ir, samples: int, seed: int) -> None:
    from fusionbox.degradations import RandomDegradeSources
    from fusionbox.tasks import spec_table
    from fusionbox.utils.color import rgb_to_ycbcr

    step = RandomDegradeSources(seed=seed)
    print(f'\nRandomDegradeSources, 2 luma sources per sample, {samples} samples per task')
    print(f'{"size":<10}{"task":<6}{"samples/s":>11}{"images/s":>11}{"ops/sample":>12}')
    for size in SIZES:
        vi_y = rgb_to_ycbcr(resized(vi, size))[..., :1].astype(np.float32)
        ir_y = resized(ir, size)
        total_t, total_n = 0.0, 0
        for task, names in spec_table('source_roles').items():
            ops = 0
            t0 = time.perf_counter()
            for idx in range(samples):
                out = step(
                    dict(
                        sources=[ir_y, vi_y],
                        source_names=list(names),
                        task=task,
                        sample_idx=idx,
                        prompt='',
                    )
                )
                ops += len(out['degradations'])
            dt = time.perf_counter() - t0
            total_t, total_n = total_t + dt, total_n + samples
            print(
                f'{size[0]}x{size[1]:<6}{task:<6}{samples / dt:11.1f}{2 * samples / dt:11.1f}'
                f'{ops / samples:12.2f}'
            )
        print(
            f'{size[0]}x{size[1]:<6}{"all":<6}{total_n / total_t:11.1f}'
            f'{2 * total_n / total_t:11.1f}'
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=20, help='runs per operation')
    parser.add_argument('--samples', type=int, default=100, help='samples per task')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1, help='OpenCV threads (default: 1)')
    args = parser.parse_args(argv)
    cv2.setNumThreads(args.threads)
    from fusionbox.utils import register_all_modules

    register_all_modules()
    vi, ir = base_images()
    time_ops(vi, ir, args.repeats, args.seed)
    time_pipeline(vi, ir, args.samples, args.seed)
    return 0


if __name__ == '__main__':
    sys.exit(main())
