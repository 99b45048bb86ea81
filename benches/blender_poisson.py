"""The peer of `scalp bench`'s generation figure: Blender's Geometry Nodes "Distribute Points on
Faces" (Poisson Disk) on the same head, timed around the node tree's evaluation only.

Run by benches/peer.sh: blender -b --factory-startup --python benches/blender_poisson.py -- HEAD.obj N ALPHA
Prints one line: `blender_points=<count> blender_s=<seconds> blender_points_per_s=<rate>`.
The minimum distance is ALPHA × the mean spacing √(area/N), as scalp's `dots.spacing`; the
candidate density is tuned by one trial run so the result lands near N points.
"""
import os
import sys
import time

import bpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blender_head import calibrated, load_head, poisson_tree  # noqa: E402

argv = sys.argv[sys.argv.index("--") + 1:]
obj_path, target, alpha = argv[0], int(argv[1]), float(argv[2])

obj, area = load_head(obj_path)
tree, n_in, n_out, dist = poisson_tree(obj, area, target, alpha)
# Points to Vertices makes the result a mesh whose vertices can be counted.
to_verts = tree.nodes.new("GeometryNodePointsToVertices")
tree.links.new(dist.outputs["Points"], to_verts.inputs["Points"])
tree.links.new(to_verts.outputs["Mesh"], n_out.inputs[0])


def run(density, seed):
    dist.inputs["Density Max"].default_value = density
    dist.inputs["Seed"].default_value = seed
    t0 = time.perf_counter()
    dg = bpy.context.evaluated_depsgraph_get()
    dg.update()
    ev = obj.evaluated_get(dg)
    count = len(ev.data.vertices)
    return count, time.perf_counter() - t0


count, seconds = calibrated(run, target, area)
print(f"blender_points={count} blender_s={seconds:.3f} blender_points_per_s={count / seconds:.4g}")
