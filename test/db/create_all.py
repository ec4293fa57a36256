"""Imports a Flask app module with DATABASE_URL set, so that its start-up code runs db.create_all().

usage: create_all.py <app folder> <module>  (DATABASE_URL in the environment)
"""
import importlib
import sys

sys.path.insert(0, sys.argv[1])
importlib.import_module(sys.argv[2])
