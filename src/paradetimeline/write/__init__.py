"""Write: put the rendered files in the output folder, atomically."""
