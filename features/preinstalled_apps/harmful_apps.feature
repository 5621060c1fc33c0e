@CSW-APP-1
Feature: No preinstalled games, web novels, short video or live streaming
  The watch comes with no app that may harm a child's physical or mental
  health: games, web novels, short video, live streaming (the categories the
  profile lists). Hiding such an app from the launcher does not make it
  acceptable: the whole package list counts. Nor can the child get one from
  the watch's app store. What an app is, is judged by what can be seen of it:
  its package id and name against the harness's catalogue of harmful apps,
  not only the category the watch reports for it.

  Scenario: No harmful app is preinstalled, not even hidden from the launcher
    Given a watch bound to its guardian
    Then no package on the watch, hidden from the launcher or not, is of a category the profile deems harmful

  @needs_app_store
  Scenario: The app store does not install harmful apps
    Given a watch bound to its guardian
    When the child tries to install from the store an app of each category the profile deems harmful
    Then the watch refuses every one of them
    And none of them is installed on the watch

  @needs_app_store
  Scenario: The app store judges a package by what it is, not by the category it claims
    Given a watch bound to its guardian
    When the child tries to install from the store every example of the catalogue's harmful kinds, each declared as education
    Then the watch refuses every one of them
    And none of them is installed on the watch
