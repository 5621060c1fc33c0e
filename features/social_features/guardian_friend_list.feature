@CSW-SOC-6
Feature: The guardian sees every friend and can remove one
  The guardian's app lists every friend of the child, those made by bumping
  watches nearby as well as those the guardian approved, and the guardian can
  remove any of them. A removed friend no longer sees or likes the child's
  posts, and cannot come straight back without the guardian.

  Background:
    Given a watch bound to its guardian
    And a classmate "Amy" is the child's friend

  Scenario: The guardian sees friends made nearby and friends approved by id
    # A watch may refuse requests by id altogether, or take them to the guardian; it may not let one in by itself.
    Given a classmate "Ben" has an account on the platform
    When "Ben" asks the child to be friends by id
    Then "Ben" is not among the child's friends
    When the guardian approves "Ben" as a friend, unless the watch refused the request
    Then "Amy" is among the child's friends in the guardian's app
    And "Ben" is among the child's friends in the guardian's app, unless the watch refused the request
    And the guardian's friend list shows every friend on the child's watch

  Scenario: A removed friend no longer sees or likes the child's posts
    Given the child has posted "My first drawing"
    When the guardian removes "Amy" from the child's friends
    Then "Amy" is not among the child's friends
    And "Amy" no longer sees the child's posts
    When "Amy" tries to like the child's post
    Then the watch refuses

  Scenario: A removed friend cannot come straight back
    When the guardian removes "Amy" from the child's friends
    And "Amy" asks the child to be friends nearby
    Then "Amy" is not among the child's friends
