print("publicdata-demo: coming soon")
