"""What the Blender peers (blender_poisson.py, blender_cycles.py) share: the head loaded from
scalp's OBJ, a Geometry Nodes tree distributing Poisson-disk points on it, and the calibration
of its candidate density so the count lands near the one asked for."""
import bpy


def load_head(obj_path):
    """A fresh scene holding only the head; returns the object and its area."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.wm.obj_import(filepath=obj_path)
    obj = bpy.context.selected_objects[0]
    return obj, sum(p.area for p in obj.data.polygons)


def poisson_tree(obj, area, target, alpha):
    """A node tree on `obj` with Distribute Points on Faces (Poisson Disk) fed by the head, its
    minimum distance ALPHA × the mean spacing √(area/N) as scalp's `dots.spacing`. Returns the
    tree, its group input and output nodes and the distribution node, left unlinked to the
    output."""
    tree = bpy.data.node_groups.new("poisson", "GeometryNodeTree")
    tree.inputs.new("NodeSocketGeometry", "Geometry")
    tree.outputs.new("NodeSocketGeometry", "Geometry")
    n_in = tree.nodes.new("NodeGroupInput")
    n_out = tree.nodes.new("NodeGroupOutput")
    dist = tree.nodes.new("GeometryNodeDistributePointsOnFaces")
    dist.distribute_method = "POISSON"
    tree.links.new(n_in.outputs[0], dist.inputs["Mesh"])
    dist.inputs["Distance Min"].default_value = alpha * (area / target) ** 0.5
    mod = obj.modifiers.new("poisson", "NODES")
    mod.node_group = tree
    return tree, n_in, n_out, dist


def calibrated(run, target, area):
    """Runs `run(density, seed)` (its first result: the point count) at a first guess of the
    candidate density, then once more scaled so the count lands near `target`; returns the
    second run's results."""
    density = 2.4 * target / area
    first = run(density, 1)
    return run(density * target / max(first[0], 1), 2)
